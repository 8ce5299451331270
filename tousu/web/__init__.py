"""The web layer (layer 8): what every surface shares.

Labels for codes (:mod:`~tousu.web.labels`, gettext msgids), the
request wrapper and page helpers of the staff pages (:mod:`~tousu.web.pages`), the action forms
generated from the actions' inputs (:mod:`~tousu.web.forms`, :mod:`~tousu.web.posted`), the one
case read-model (:mod:`~tousu.web.caseview`) and the cell writer of every export and document
(:mod:`~tousu.web.cells`). The surfaces (desk, portal, api, reports, orgadmin) and the features'
surface parts use it; it imports nothing above layer 7's domain and nothing of a surface.
"""
