"""Code lists. Values are the interchange codes (spec/interchange.md), so the
database, imports, exports and the SAC return all speak the same language.
Labels are for people; SAC labels live in ``outcomes/sac_spec.py``.
"""

from django.db import models


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    WHITE_BRITISH = (
        "white_british",
        "White: English, Welsh, Scottish, Northern Irish or British",
    )
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed: White and Black Caribbean",
    )
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed: White and Black African",
    )
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_OTHER = "mixed_other", "Mixed: any other mixed or multiple background"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black or Black British: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black or Black British: Caribbean"
    BLACK_OTHER = "black_other", "Black or Black British: any other Black background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other"
    REFUSED = "refused", "Refused to say"
    NOT_KNOWN = "not_known", "Not known"


class SupportReason(models.TextChoices):
    PHYSICAL_ACCESS_MOBILITY = (
        "physical_access_mobility",
        "Physical support: access and mobility only",
    )
    PHYSICAL_PERSONAL_CARE = "physical_personal_care", "Physical support: personal care"
    SENSORY_VISUAL = "sensory_visual", "Sensory support: visual"
    SENSORY_HEARING = "sensory_hearing", "Sensory support: hearing"
    SENSORY_DUAL = "sensory_dual", "Sensory support: dual impairment"
    MEMORY_COGNITION = "memory_cognition", "Support with memory and cognition"
    LEARNING_DISABILITY = "learning_disability", "Learning disability support"
    MENTAL_HEALTH = "mental_health", "Mental health support"
    SOCIAL_SUBSTANCE_MISUSE = (
        "social_substance_misuse",
        "Social support: substance misuse",
    )
    SOCIAL_ASYLUM_SEEKER = "social_asylum_seeker", "Social support: asylum seeker"
    SOCIAL_ISOLATION_OTHER = (
        "social_isolation_other",
        "Social support: social isolation or other",
    )
    NO_SUPPORT_REASON = "no_support_reason", "No support reason"
    NOT_KNOWN = "not_known", "Not known"


class HealthCondition(models.TextChoices):
    AUTISM = (
        "autism",
        "Autism (excluding Asperger's syndrome or high-functioning autism)",
    )
    ASPERGER_HFA = "asperger_hfa", "Asperger's syndrome or high-functioning autism"
    DEMENTIA = "dementia", "Dementia"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    MENTAL_HEALTH = "mental_health", "Mental health condition"
    PHYSICAL_DISABILITY = "physical_disability", "Physical disability"
    SENSORY_IMPAIRMENT = "sensory_impairment", "Sensory impairment"
    LONG_TERM_CONDITION = "long_term_condition", "Long-term condition"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"


class CommunicationNeed(models.TextChoices):
    INTERPRETER = "interpreter", "Spoken language interpreter"
    BSL = "bsl", "British Sign Language interpreter"
    EASY_READ = "easy_read", "Easy read"
    LARGE_PRINT = "large_print", "Large print"
    BRAILLE = "braille", "Braille"
    AAC = "aac", "Communication aid (AAC)"
    HEARING_LOOP = "hearing_loop", "Hearing loop"
    SUPPORTER = "supporter", "Needs a trusted supporter present"


class AddressType(models.TextChoices):
    OWN_HOME = "own_home", "Own home"
    FAMILY_HOME = "family_home", "Family home"
    CARE_HOME = "care_home", "Care home"
    SUPPORTED_LIVING = "supported_living", "Supported living"
    HOSPITAL = "hospital", "Hospital"
    NO_FIXED_ABODE = "no_fixed_abode", "No fixed abode"
    OTHER = "other", "Other"


class RiskType(models.TextChoices):
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    PSYCHOLOGICAL = "psychological", "Psychological abuse"
    FINANCIAL_MATERIAL = "financial_material", "Financial or material abuse"
    DISCRIMINATORY = "discriminatory", "Discriminatory abuse"
    ORGANISATIONAL = "organisational", "Organisational abuse"
    NEGLECT_OMISSION = "neglect_omission", "Neglect and acts of omission"
    DOMESTIC = "domestic", "Domestic abuse"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"
    SELF_NEGLECT = "self_neglect", "Self-neglect"


class RiskLocation(models.TextChoices):
    OWN_HOME = "own_home", "Own home"
    COMMUNITY = "community", "In the community (not a community service)"
    COMMUNITY_SERVICE = "community_service", "In a community service"
    CARE_HOME_NURSING = "care_home_nursing", "Care home: nursing"
    CARE_HOME_RESIDENTIAL = "care_home_residential", "Care home: residential"
    HOSPITAL_ACUTE = "hospital_acute", "Hospital: acute"
    HOSPITAL_MENTAL_HEALTH = "hospital_mental_health", "Hospital: mental health"
    HOSPITAL_COMMUNITY = "hospital_community", "Hospital: community"
    OTHER = "other", "Other"


class RiskSource(models.TextChoices):
    SERVICE_PROVIDER = "service_provider", "Service provider"
    KNOWN = "known", "Someone known to the adult"
    UNKNOWN = "unknown", "Someone unknown to the adult"
    # Self-neglect: the SAC counts it as "known to the individual" (docs/sac.md).
    ADULT_THEMSELF = "self", "The adult themself (self-neglect)"


class RiskOutcome(models.TextChoices):
    RISK_IDENTIFIED_ACTION = (
        "risk_identified_action",
        "Risk identified and action taken",
    )
    RISK_IDENTIFIED_NO_ACTION = (
        "risk_identified_no_action",
        "Risk identified and no action taken",
    )
    INCONCLUSIVE_ACTION = (
        "inconclusive_action",
        "Risk assessment inconclusive and action taken",
    )
    INCONCLUSIVE_NO_ACTION = (
        "inconclusive_no_action",
        "Risk assessment inconclusive and no action taken",
    )
    NO_RISK_ACTION = "no_risk_action", "No risk identified and action taken"
    NO_RISK_NO_ACTION = "no_risk_no_action", "No risk identified and no action taken"
    CEASED_AT_REQUEST = (
        "ceased_at_request",
        "Enquiry ceased at the adult's request and no action taken",
    )

    @classmethod
    def risk_identified(cls) -> set[str]:
        return {cls.RISK_IDENTIFIED_ACTION, cls.RISK_IDENTIFIED_NO_ACTION}


class RiskResult(models.TextChoices):
    REMAINED = "remained", "Risk remained"
    REDUCED = "reduced", "Risk reduced"
    REMOVED = "removed", "Risk removed"


class YesNoDontKnow(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    DONT_KNOW = "dont_know", "Don't know"


class Achieved(models.TextChoices):
    FULLY = "fully", "Fully achieved"
    PARTIALLY = "partially", "Partially achieved"
    NOT = "not", "Not achieved"


class Stage(models.TextChoices):
    CONCERN = "concern", "Concern"
    INFORMATION_GATHERING = (
        "information_gathering",
        "Information gathering and decision",
    )
    PLANNING = "planning", "Planning"
    ENQUIRY = "enquiry", "Enquiry"
    OUTCOME = "outcome", "Outcome"
    PLAN = "plan", "Safeguarding plan"
    REVIEW = "review", "Plan review"
    CLOSURE = "closure", "Closure"


class ViewSource(models.TextChoices):
    ADULT = "adult", "The adult"
    REPRESENTATIVE = "representative", "A representative (appropriate person)"
    ADVOCATE = "advocate", "A Care Act advocate"
    IMCA = "imca", "An IMCA"
    FAMILY = "family", "Family or a friend"
    REFERRER = "referrer", "Reported by the person who raised the concern"
    NOT_OBTAINED = "not_obtained", "Views could not be obtained"


class ViewNotObtainedReason(models.TextChoices):
    LACKS_CAPACITY_NO_REPRESENTATIVE = (
        "lacks_capacity_no_rep",
        "Lacks capacity and has no representative",
    )
    UNSAFE_TO_CONTACT = "unsafe", "Unsafe to contact the adult"
    DECLINED = "declined", "The adult declined to take part"
    NOT_FOUND = "not_found", "The adult could not be found"
    DIED = "died", "The adult has died"
    OTHER = "other", "Other reason"


class ViewMethod(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    WRITTEN = "written", "In writing"
    INTERPRETER = "interpreter", "Through an interpreter"
    AAC = "aac", "Using a communication aid"
    ONLINE_FORM = "online_form", "Online concern form"
