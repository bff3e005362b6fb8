from enquiries.urls_concerns import urlpatterns as concern_patterns
from enquiries.urls_enquiries import urlpatterns as enquiry_patterns
from enquiries.urls_public import urlpatterns as public_patterns

app_name = "enquiries"

# People and concerns; enquiry stages; the public concern form and intake queue.
urlpatterns = [*concern_patterns, *enquiry_patterns, *public_patterns]
