"""`{% load visits_tags %}{% reception_origin repair %}` (or a complaint): the reception entry a
ticket came from and its first-contact owner, for the tickets' pages to show."""

from django import template

from visits.models import Visit

register = template.Library()


@register.inclusion_tag("visits/_origin.html")
def reception_origin(ticket):
    field = "complaint" if ticket.__class__.__name__ == "Complaint" else "repair"
    entries = (
        Visit.objects.filter(**{field: ticket}).select_related("owner").order_by("received_at")
        if ticket is not None and ticket.pk
        else []
    )
    return {"entries": entries}
