"""`alloc cp`'s tar streams, both ends: what a tar may contain, writing one, unpacking one.

    rules.py   the checks every incoming member passes (pure): no absolute path, no `..`,
               no link pointing out, no path through a link, no device, no set-id bit
    pack.py    a file or directory tree as a tar stream (modes, times, links kept)
    unpack.py  a tar stream into a root-only staging dir beside the destination, checked
               member by member; only a stream that passed whole is renamed into place

Standard library and `caravan.errors` only: the agent's copy helper loads it inside a
task's mount namespace (see `client/drivers/execsession/cphelper.py`), the CLI beside it.
"""

from caravan.tarcopy.pack import pack
from caravan.tarcopy.rules import TarRefused
from caravan.tarcopy.unpack import unpack

__all__ = ["TarRefused", "pack", "unpack"]
