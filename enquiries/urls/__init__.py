from enquiries.urls.adult_page import urlpatterns as adult_page_patterns
from enquiries.urls.concerns import urlpatterns as concern_patterns
from enquiries.urls.documents import urlpatterns as document_patterns
from enquiries.urls.enquiries import urlpatterns as enquiry_patterns
from enquiries.urls.letters import urlpatterns as letter_patterns
from enquiries.urls.patterns import urlpatterns as pattern_patterns
from enquiries.urls.pipot import urlpatterns as pipot_patterns
from enquiries.urls.public import urlpatterns as public_patterns

app_name = "enquiries"

# People and concerns; enquiry stages; overrides and patterns; the public
# concern form and intake queue; the adult's own page.
urlpatterns = [
    *concern_patterns,
    *enquiry_patterns,
    *document_patterns,
    *letter_patterns,
    *pattern_patterns,
    *pipot_patterns,
    *public_patterns,
    *adult_page_patterns,
]
