"""{% name_of person org_id %}: a person's name, full or masked, as the viewer may see it."""

from django import template

from civicloop.study.permissions import name_for

register = template.Library()


@register.simple_tag(takes_context=True)
def name_of(context, person, org_id=None):
    return name_for(context["request"].user, person, org_id)
