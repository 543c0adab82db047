"""Forms of the satisfaction-survey screens and of the resident's questionnaire (docs/domain.md,
"Satisfaction surveys"). They check the shape only; the ranges and the sample are the service's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import SurveyTemplate


class SurveyNewForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=SurveyTemplate.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=100)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(
            estate=estate, active=True
        ).order_by("name")


class ScoresForm(forms.Form):
    """One score per question of the questionnaire (field `q_<id>`), and a comment."""

    comment = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, questions, radios: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        fields = {}
        for question in self.questions:
            label = f"{question.position}. {question.text}"
            if radios:
                fields[f"q_{question.pk}"] = forms.TypedChoiceField(
                    label=label,
                    coerce=int,
                    choices=[(s, str(s)) for s in reversed(question.scores)],
                    widget=forms.RadioSelect(attrs={"class": "scores"}),
                )
            else:
                fields[f"q_{question.pk}"] = forms.IntegerField(
                    label=label,
                    help_text=_("%(low)s to %(high)s")
                    % {"low": question.min_score, "high": question.max_score},
                )
        comment = self.fields.pop("comment")
        self.fields.update(fields)
        self.fields["comment"] = comment

    def scores(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}

    def score_fields(self):
        return [self[f"q_{q.pk}"] for q in self.questions]


class StaffReturnForm(ScoresForm):
    unit = forms.CharField(label=_("Unit"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["unit"])


class LetterForm(forms.Form):
    text = forms.CharField(
        label=_("Open letter"), widget=forms.Textarea(attrs={"rows": 16}), max_length=20000
    )


class ForumForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    attendee_count = forms.IntegerField(label=_("Number of attendees"), min_value=0)
    attendees = forms.CharField(
        label=_("Attendees"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
