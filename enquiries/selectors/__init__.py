"""Every scoped read of the enquiries app, one module per area.

Lists for a user always go through ``msp.access.visible`` (or
``get_visible_or_404``): see each module.
"""
