from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "liaison.sharing"
    label = "sharing"

    def ready(self):
        # Audit receivers for sign-in failures and sign-outs (auth.py).
        from liaison.sharing import auth  # noqa: F401

        # The ids a user's shares reach through are reused for a moment
        # (visibility._reach_ids): a change to them drops what is kept at once.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from liaison.operations.models import Phase
        from liaison.sharing import visibility
        from liaison.sharing.models import OperationAssignment, SharingGroup

        for signal in (post_save, post_delete):
            for model in (OperationAssignment, Phase):  # a new phase is covered by its operation's assignments
                signal.connect(visibility.reach_changed, sender=model,
                               dispatch_uid=f"visibility-reach-{model._meta.label}")
        m2m_changed.connect(visibility.reach_changed, sender=SharingGroup.members.through,
                            dispatch_uid="visibility-reach-group")
