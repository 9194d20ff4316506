# The console keeps no models: the audit log and the staff roles live in the audit app (audit/models.py).
