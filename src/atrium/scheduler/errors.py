"""The scheduler domain's errors: periodic tasks, what may be scheduled, and run now."""

from __future__ import annotations

from atrium.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    UnprocessableEntity,
)


class SchedulerTaskNotFound(NotFound):
    """No periodic task has the id asked for."""

    code = "SCHEDULER_TASK_NOT_FOUND"
    message = "No periodic task has this id."


class SchedulerTaskNameTaken(Conflict):
    """A periodic task is created or renamed with a name another one has."""

    code = "SCHEDULER_TASK_NAME_TAKEN"
    message = "A periodic task with this name exists."


class UnknownTask(UnprocessableEntity):
    """A periodic task names a task no worker module registers."""

    code = "UNKNOWN_TASK"
    message = "No task of this name is registered."


class TaskArgumentsMismatch(UnprocessableEntity):
    """A periodic task's ``args`` and ``kwargs`` do not fit the task's signature."""

    code = "TASK_ARGUMENTS_MISMATCH"
    message = "The arguments do not fit the task's signature."


class TaskArgumentsInvalid(UnprocessableEntity):
    """The check a schedulable task declared for its arguments refuses them."""

    code = "TASK_ARGUMENTS_INVALID"
    message = "The task refuses these arguments."


class TaskNotSchedulable(UnprocessableEntity):
    """A periodic task is created, enabled or run for a task that did not opt in to scheduling."""

    code = "TASK_NOT_SCHEDULABLE"
    message = "This task cannot be scheduled from the database."


class SchedulePermissionDenied(Forbidden):
    """The caller lacks the permission code a schedulable task names for its periodic tasks."""

    code = "SCHEDULER_PERMISSION_DENIED"
    message = "Scheduling this task needs a permission you do not hold."


class ClockedTimePassed(UnprocessableEntity):
    """A clocked (one-off) schedule's time is already past."""

    code = "CLOCKED_TIME_PASSED"
    message = "A clocked time must not be in the past (use run now instead)."


class ReservedHeaders(UnprocessableEntity):
    """Run now on a row (written in plain SQL) whose headers override message headers."""

    code = "RESERVED_HEADERS"
    message = "The task's headers override message headers."


class BrokerUnavailable(ServiceUnavailable):
    """Run now cannot hand the task to the broker."""

    code = "BROKER_UNAVAILABLE"
    message = "The broker did not accept the task."


class SchedulerRunsReadRequired(Forbidden):
    """A socket subscribes to live run events without the right to read the run history."""

    code = "SCHEDULER_RUNS_READ_REQUIRED"
    message = "Live run events need the permission GET:/api/v1/scheduler/runs."
