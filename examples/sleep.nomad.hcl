# An isolated exec task: /bin/sleep in its own chroot, PID and IPC namespaces and cgroup.
job "sleep" {
  datacenters = ["dc1"]
  type        = "service"

  group "sleep" {
    task "sleep" {
      driver = "exec"

      config {
        command = "/bin/sleep"
        args    = ["3600"]
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
