from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tousu.jobs"
    label = "jobs"
    verbose_name = "后台任务 Jobs"

    def ready(self) -> None:
        from tousu.cases import outbox
        from tousu.jobs.queue import dispatch_task

        # After commit, the outbox asks the queue to dispatch its rows at once.
        outbox.set_kicker(dispatch_task)
