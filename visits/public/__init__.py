"""The residents' side (no login): the repair report form, the tracking page and its rating.

- views: the pages; forms: their forms; photos: the photo checks; tracking: signed links and
  the resident's wording of each status.
"""

from visits.public.tracking import tracking_token, tracking_url

__all__ = ["tracking_token", "tracking_url"]
