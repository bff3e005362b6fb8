"""People, concerns and enquiries: the records practice is made of.

Rules that need only a record's own fields live here (validation in
``clean()``, derived properties). Workflow transitions and anything that
touches several records live in the ``enquiries/services/`` package.
One module per area; everything is importable from ``enquiries.models``.
"""

from enquiries.models.adult_page import (
    AdultPageAccess,
    AdultPageEntry,
    AdultPageInvitation,
    AdultSignInCode,
)
from enquiries.models.cases import (
    Concern,
    Enquiry,
    OrganisationalEnquiry,
    Risk,
    adult_on_receipt_condition,
    refresh_adult_on_receipt,
)
from enquiries.models.documents import (
    Document,
    DocumentKind,
)
from enquiries.models.intake import (
    PublicSubmission,
)
from enquiries.models.letters import (
    Letter,
    LetterTemplate,
    LetterTemplateVersion,
)
from enquiries.models.organisational import (
    OrganisationalAction,
    OrganisationalMeeting,
)
from enquiries.models.partners import (
    InformationShare,
    InvolvedAgency,
    S45Request,
)
from enquiries.models.patterns import (
    PatternFlag,
    PatternFlagRecord,
    PatternRule,
)
from enquiries.models.people import (
    LegalAuthority,
    Person,
    PersonNameWord,
    Relationship,
    refresh_name_words,
)
from enquiries.models.pipot import (
    PipotCase,
    PipotConcern,
    PipotReferral,
)
from enquiries.models.records import (
    Allocation,
    BreakGlassGrant,
    ChronologyEvent,
    StageTimescale,
)
from enquiries.models.reference import (
    ADULT_AGE,
    Organisation,
    OutcomeCategory,
    RiskSubtype,
    adult_on,
    event_date_problem,
    validate_nhs_number,
)
from enquiries.models.reviews import (
    SafeguardingAdultsReview,
    SarIndividual,
    SarRecommendation,
)
from enquiries.models.voice import (
    ASKED_SOURCES,
    AdvocacyReferral,
    CapacityAssessment,
    ConsentDecision,
    DesiredOutcome,
    PersonView,
    asked_outcomes_shown,
    expressed_desired_outcomes,
    outcomes_counted_for,
    outcomes_from_adult,
    refresh_outcome_flags,
)
from enquiries.models.work import (
    CaseNote,
    CausedEnquiry,
    Meeting,
    PlanAction,
    PlanReview,
    outstanding_requests,
)

__all__ = [
    "Letter",
    "LetterTemplate",
    "LetterTemplateVersion",
    "ADULT_AGE",
    "Organisation",
    "OutcomeCategory",
    "RiskSubtype",
    "adult_on",
    "event_date_problem",
    "validate_nhs_number",
    "LegalAuthority",
    "Person",
    "PersonNameWord",
    "Relationship",
    "refresh_name_words",
    "Concern",
    "Enquiry",
    "OrganisationalEnquiry",
    "OrganisationalAction",
    "OrganisationalMeeting",
    "Risk",
    "adult_on_receipt_condition",
    "refresh_adult_on_receipt",
    "AdvocacyReferral",
    "CapacityAssessment",
    "ConsentDecision",
    "DesiredOutcome",
    "PersonView",
    "ASKED_SOURCES",
    "asked_outcomes_shown",
    "outcomes_counted_for",
    "expressed_desired_outcomes",
    "outcomes_from_adult",
    "refresh_outcome_flags",
    "CaseNote",
    "CausedEnquiry",
    "InformationShare",
    "InvolvedAgency",
    "S45Request",
    "outstanding_requests",
    "Meeting",
    "PlanAction",
    "PlanReview",
    "Allocation",
    "BreakGlassGrant",
    "ChronologyEvent",
    "StageTimescale",
    "SafeguardingAdultsReview",
    "SarIndividual",
    "SarRecommendation",
    "PublicSubmission",
    "Document",
    "DocumentKind",
    "AdultPageAccess",
    "AdultPageEntry",
    "AdultPageInvitation",
    "AdultSignInCode",
    "PatternFlag",
    "PatternFlagRecord",
    "PatternRule",
    "PipotCase",
    "PipotConcern",
    "PipotReferral",
]
