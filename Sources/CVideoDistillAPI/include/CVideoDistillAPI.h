// Makes the public header (include/videodistill.h) visible to the Swift core, which implements it, and declares
// the few internal helpers the C side of the API provides.
#include "../../../include/videodistill.h"
#include "../../../include/videodistill_video.h"   // implemented by the VideoDistillVideo target

/// Stores `message` (UTF-8, copied and truncated to fit) as the calling thread's last error.
void vd_internal_set_last_error(const char *message);
