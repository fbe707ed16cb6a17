"""caravan.client: the node agent that runs allocations.

    client.py        Client: register, heartbeat, pull allocations, run them, report
    node.py          the node's identity and the Node it registers
    fingerprint/     what the node is and has (one module per source)
    rpc.py           the HTTP contract with the servers
    heartbeat.py     staying registered;   updates.py  batched alloc status reports
    state.py         what survives an agent restart (per-alloc JSON files)
    allocrunner/     one allocation: its tasks, group rules, client status
    taskrunner/      one task: lifecycle machine (pure), hooks, the async runner
    allocdir.py      the alloc/task directory layout;  taskenv.py  env + interpolation
    logs.py          Nomad's log API over rotated files;  stats.py  usage shapes
    drivers/         the driver interface, raw_exec, and the per-task executor
"""
