from __future__ import annotations

from django_tasks import task

from tongxin.inbox import services


@task()
def dispatch() -> dict[str, int]:
    """Send the email and SMS copies that are due (also periodic: retries, quiet hours)."""
    return services.dispatch_pending()


@task()
def digest() -> int:
    """Periodic: the daily digest emails (once per user and day)."""
    return services.send_digests()


@task()
def deliver(
    recipients: list[int],
    kind: str,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    org_path: str = "",
) -> int:
    """A delivery to many people (a reminder to a district) off the request."""
    return services.deliver(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=body,
        link=link,
        org_path=org_path,
    )
