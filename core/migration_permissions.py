"""Permissions made inside a data migration from the migration's own (historical) models.

Django makes permissions after all migrations have run; a migration that gives a role its permissions needs them
earlier. `django.contrib.auth.management.create_permissions` cannot be used for that: it reads the models of the
app registry as they are today, so an old migration would make today's permissions (after the audit log moved
from the staff app to the audit app, the roles migration would make `audit.*` before the move). Migrations depend
on this function: keep what it does unchanged."""


def permission_get_or_create(apps, permission: str):
    """The Permission row for "app_label.codename" as the historical models of `apps` define it."""
    app_label, codename = permission.split(".")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    for model in apps.get_app_config(app_label).get_models():
        opts = model._meta
        names = {
            f"{action}_{opts.model_name}": f"Can {action} {opts.verbose_name_raw}"
            for action in opts.default_permissions
        }
        names.update({code: str(name) for code, name in opts.permissions})
        if codename in names:
            content_type, _created = content_type_model.objects.get_or_create(
                app_label=app_label, model=opts.model_name
            )
            found, _created = permission_model.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": names[codename][:255]}
            )
            return found
    raise LookupError(f"no model of {app_label} has the permission {codename}")
