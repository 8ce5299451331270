from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "tousu.duty"
    label = "duty"
    verbose_name = "值班 Duty roster"

    def ready(self) -> None:
        from tousu.cases import registry
        from tousu.duty.handon import land_after_hours, run_hand_on
        from tousu.jobs.schedule import periodic

        # A case received outside working hours also lands with the duty officer on shift.
        registry.hook("registered", land_after_hours)
        # What duty officers could not settle passes to the office when it is due.
        periodic("hand_on", "*/15", run_hand_on)
