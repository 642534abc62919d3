#include "onnx_reader.h"
