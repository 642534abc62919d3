// videodistill: answer questions about videos with a VideoDistill model file (see `videodistill --help`).
VideoDistillCommand.runMain()
