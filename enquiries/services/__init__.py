"""Every write of the enquiries app, one module per area. Services check the
user's permission, validate, save and write the audit line in one
transaction. Names are verb-first (``record_decision``, ``request_closure``).
"""
