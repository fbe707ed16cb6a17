# The first job to run on caravan: one task printing a line every second.
#
#   caravan agent -dev &
#   caravan job run examples/hello.nomad.hcl
#   caravan alloc logs -f <alloc>
job "hello" {
  type        = "service"
  datacenters = ["*"]

  group "hello" {
    count = 1

    task "hello" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "i=0; while true; do i=$((i+1)); echo \"hello from $NOMAD_ALLOC_ID: $i\"; sleep 1; done"]
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
