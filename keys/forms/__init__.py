"""Forms of the key cabinet: they check the shape of the input; the services check the rules."""

from keys.forms.common import MonthForm, SearchForm
from keys.forms.loans import (
    InspectForm,
    LendForm,
    ReissueForm,
    ReturnForm,
    approver_attempts_key,
)
from keys.forms.owners import (
    EntrustForm,
    HandoverForm,
    IssueForm,
    OwnerCallForm,
    ReleaseForm,
    UnitLookupForm,
)
from keys.forms.records import (
    ConsentForm,
    ContractorForm,
    ContractorPersonForm,
    IncidentForm,
    KeyRegisterForm,
    LockChangeForm,
    MoveForm,
    VacantRecordForm,
)

__all__ = [
    "ConsentForm",
    "ContractorForm",
    "ContractorPersonForm",
    "EntrustForm",
    "HandoverForm",
    "IncidentForm",
    "InspectForm",
    "IssueForm",
    "KeyRegisterForm",
    "LendForm",
    "LockChangeForm",
    "MonthForm",
    "MoveForm",
    "OwnerCallForm",
    "ReissueForm",
    "ReleaseForm",
    "ReturnForm",
    "SearchForm",
    "UnitLookupForm",
    "VacantRecordForm",
    "approver_attempts_key",
]
