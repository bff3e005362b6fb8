"""The letter templates the service ships with (installed by migration 0018).

Administrators change them in admin; every change is kept as a new version.
The easy-read ones are written to a Flesch-Kincaid grade of 5 or lower with
the sample data (tests/unit/enquiries/test_letter_text.py checks it): short
sentences, one idea a line, a picture for each section.
"""

from __future__ import annotations

from enquiries.letter_text import LetterKind

HOW_TO_GET_HELP = """\
# [help] How to get help
If you are in danger now, call 999.
If you are worried about your safety, {{ help_contact }}.
You can ask someone you trust to help you contact us."""

DEFAULTS: dict[str, tuple[str, str]] = {
    LetterKind.OUTCOME: (
        "The outcome of the safeguarding enquiry",
        """\
Dear {{ adult_name }},
This letter is about the safeguarding enquiry we started on {{ enquiry_started_on }}. The enquiry ended on {{ enquiry_ended_on }}.
Thank you for talking to us. What you told us shaped what we did.
# What you told us you wanted
{{#desired_outcomes}}
- {{ said_by }}: “{{ text }}” {{ achieved }}
{{/desired_outcomes}}
{{^desired_outcomes}}
We did not write down what you wanted to happen. If you would like to tell us now, please contact us.
{{/desired_outcomes}}
# What happened
{{ risk_now }}
# If you are not happy
You can ask us to look again at what we did, or make a complaint. To do this, {{ help_contact }}.
"""
        + HOW_TO_GET_HELP
        + """
Yours sincerely,
{{ worker_name }}
{{ team_name }}, {{ council_name }}""",
    ),
    LetterKind.OUTCOME_EASY_READ: (
        "What happened: easy read",
        """\
# [letter] This letter is for you
Hello {{ adult_name }}.
This letter is from {{ worker_name }}.
We wanted to help you be safe.
We have now stopped.
We stopped on {{ enquiry_ended_on }}.
# [talk] What you told us
You told us what you wanted.
{{#desired_outcomes}}
- “{{ text }}”
- {{ achieved }}
{{/desired_outcomes}}
{{^desired_outcomes}}
We did not write down what you wanted.
You can tell us now.
{{/desired_outcomes}}
# [star] What is safe now
{{ risk_now }}
# [help] Help
If you are in danger, call 999.
If you are not happy, tell us.
If you are worried, {{ help_contact }}.
A friend can help you call us.""",
    ),
    LetterKind.NEXT_STEPS: (
        "What happens next",
        """\
Dear {{ adult_name }},
We have looked at the worries raised about your safety. On {{ decided_on }} we decided what to do.
{{ decision }}
# What you have told us you want
{{#desired_outcomes}}
- {{ said_by }}: “{{ text }}”
{{/desired_outcomes}}
{{^desired_outcomes}}
We have not yet written down what you want to happen. We will ask you, because what you want matters most.
{{/desired_outcomes}}
# What happens next
{{ worker_name }} from the {{ team_name }} will contact you to talk about what you want to happen and how we can help.
You can have someone with you to support you, such as a friend, a family member or an advocate.
You can tell us at any time if you change your mind about what you want.
"""
        + HOW_TO_GET_HELP
        + """
Yours sincerely,
{{ worker_name }}
{{ team_name }}, {{ council_name }}""",
    ),
    LetterKind.REFERRER: (
        "Feedback about the concern you raised",
        """\
Dear {{ referrer_name }},
Thank you for telling us about your concern on {{ concern_received_on }}.
{{ decision }}
{{ feedback }}
We cannot tell you more than this, because the adult's information is private to them.
If you have new worries, or you think someone is in danger, please tell us again: {{ help_contact }}. If someone is in danger now, call 999.
Yours sincerely,
{{ worker_name }}
{{ team_name }}, {{ council_name }}""",
    ),
    LetterKind.PLAN: (
        "Your safeguarding plan",
        """\
Dear {{ adult_name }},
This is your safeguarding plan. It says what will be done to help you stay safe, who will do it and by when.
# What you want to happen
These are your words, as you told them to us.
{{#desired_outcomes}}
- {{ said_by }}: “{{ text }}”
{{/desired_outcomes}}
{{^desired_outcomes}}
We have not yet written down what you want to happen. Please tell us, because the plan should be about what you want.
{{/desired_outcomes}}
# What will be done
{{#actions}}
- {{ what }}. Who will do it: {{ who }}. By: {{ by_when }}. Where it has got to: {{ status }}. It is for: {{ what_for }}
{{/actions}}
{{^actions}}
There are no actions in the plan yet.
{{/actions}}
# Looking at the plan again
We will look at the plan with you again by {{ next_review_on }}. You can ask to change it at any time.
"""
        + HOW_TO_GET_HELP
        + """
Yours sincerely,
{{ worker_name }}
{{ team_name }}, {{ council_name }}""",
    ),
    LetterKind.PLAN_EASY_READ: (
        "Your plan to stay safe: easy read",
        """\
# [person] Your plan
Hello {{ adult_name }}.
This is your plan.
It helps you to be safe.
# [talk] What you want
You told us what you want.
{{#desired_outcomes}}
- “{{ text }}”
{{/desired_outcomes}}
{{^desired_outcomes}}
Please tell us what you want.
{{/desired_outcomes}}
# [list] What we will do
{{#actions}}
- {{ what }}.
- This is for: {{ what_for }}
- Who: {{ who }}.
- When: by {{ by_when }}.
{{/actions}}
{{^actions}}
We have not planned what to do yet.
{{/actions}}
# [calendar] We will meet again
We will look at the plan with you.
We will do this by {{ next_review_on }}.
You can change the plan.
# [help] Help
If you are in danger, call 999.
If you are worried, {{ help_contact }}.
A friend can help you call us.""",
    ),
}
