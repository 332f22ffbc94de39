"""Dependencies of the parameters routes: the runtime, and the parameter a path names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.core.deps import SessionDep, StateDep
from atrium.parameters import service
from atrium.parameters.models import Parameter
from atrium.parameters.runtime import PARAMETERS_RUNTIME, ParametersRuntime
from atrium.parameters.schemas import ParameterKey


async def get_runtime(state: StateDep) -> ParametersRuntime:
    return state.get(PARAMETERS_RUNTIME)


RuntimeDep = Annotated[ParametersRuntime, Depends(get_runtime)]


async def path_parameter(key: ParameterKey, runtime: RuntimeDep, session: SessionDep) -> Parameter:
    return await service.get_parameter(session, runtime.declarations, key)


ParameterDep = Annotated[Parameter, Depends(path_parameter)]
