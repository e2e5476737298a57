import asyncio, sys
from benchmarks import outbox
async def main():
    n = int(sys.argv[1])
    which = sys.argv[2:]
    if "b" in which: print(await outbox.raw_path(n, with_insert=True))
    if "c" in which:
        print(await outbox.kit_path(n))
        from cqrs_kit.outbox import PROF; print(dict(PROF))
asyncio.run(main())
