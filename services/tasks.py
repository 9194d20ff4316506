"""Background work of payments: the task is services/payments/retry.py's. This name stays importable because the
database task backend stores a task by its import path: tasks queued before the move name
`services.tasks.payment_attempt_task`."""

from services.payments.retry import payment_attempt_task

__all__ = ["payment_attempt_task"]
