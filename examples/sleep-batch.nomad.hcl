# A batch job that sleeps for two seconds and completes.
job "sleepy" {
  type        = "batch"
  datacenters = ["*"]

  group "sleepy" {
    task "sleep" {
      driver = "raw_exec"

      config {
        command = "/bin/sleep"
        args    = ["2"]
      }

      resources {
        cpu    = 100
        memory = 32
      }
    }
  }
}
