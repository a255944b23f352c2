//===- ExternalData.cpp - reading ONNX external data safely ---------------===//
//
// Initializers may keep their bytes in files next to the model. The location
// comes from the (untrusted) model, so it is resolved against the model's
// folder and refused unless the real path of the result stays inside it.
//
//===----------------------------------------------------------------------===//
#include "mlc/Frontend/ONNXImporter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

bool mlc::frontend::readExternalData(StringRef modelDir, StringRef location,
                                     int64_t offset, int64_t length,
                                     std::vector<char> &out, std::string &error) {
  if (location.empty() || sys::path::is_absolute(location) ||
      location.contains('\0')) {
    error = ("external data location '" + location + "' must be a relative path").str();
    return false;
  }
  for (StringRef part : make_range(sys::path::begin(location), sys::path::end(location)))
    if (part == "..") {
      error = ("external data location '" + location + "' leaves the model's folder").str();
      return false;
    }
  SmallString<256> dirReal, fileReal, joined(modelDir);
  sys::path::append(joined, location);
  if (sys::fs::real_path(modelDir, dirReal) || sys::fs::real_path(joined, fileReal)) {
    error = ("cannot open external data file '" + joined + "'").str();
    return false;
  }
  StringRef dir(dirReal), file(fileReal);
  if (!file.starts_with(dir) || file.size() <= dir.size() ||
      !sys::path::is_separator(file[dir.size()])) {
    error = ("external data location '" + location + "' resolves outside the model's folder").str();
    return false;
  }
  if (!sys::fs::is_regular_file(fileReal)) {
    error = ("external data '" + location + "' is not a regular file").str();
    return false;
  }
  auto buffer = MemoryBuffer::getFile(fileReal, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = ("cannot read external data file '" + joined + "'").str();
    return false;
  }
  int64_t size = (*buffer)->getBufferSize();
  if (offset < 0 || offset > size || (length >= 0 && length > size - offset)) {
    error = ("external data '" + location + "' is shorter than offset " + Twine(offset) +
             " + length " + Twine(length))
                .str();
    return false;
  }
  int64_t n = length < 0 ? size - offset : length;
  const char *begin = (*buffer)->getBufferStart() + offset;
  out.assign(begin, begin + n);
  return true;
}
