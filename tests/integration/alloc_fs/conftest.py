from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.alloc_fs.fixture import FsAllocs, start


@pytest.fixture(scope="package")
def fs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FsAllocs]:
    yield from start(tmp_path_factory.mktemp("fs"))
