"""Background work of payments (django-tasks: the database backend here; a larger deployment swaps in its RQ or
Celery backend without changing this code). A task only says «look at payment N»: the payment row holds the state,
and `payment_attempt` claims it, so a task run twice, late, or beside the sweeper does the work once."""

from django_tasks import task


@task()
def payment_attempt_task(payment_id: int) -> str:
    from services.payments import payment_attempt

    payment = payment_attempt(payment_id=payment_id)
    return payment.status if payment is not None else "skipped"
