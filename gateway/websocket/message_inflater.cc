#include "gateway/websocket/message_inflater.h"

#include <libdeflate.h>

#include "gateway/websocket/frame_writer.h"

namespace gw::websocket {
namespace {

// The stored block's dropped LEN/NLEN (RFC 7692 §7.2.2), then an empty fixed-Huffman block
// with BFINAL set, so that libdeflate sees the end of a stream.
constexpr std::string_view kTail("\x00\x00\xff\xff\x03\x00", 6);

}  // namespace

void MessageInflater::Free::operator()(libdeflate_decompressor* decompressor) const {
  libdeflate_free_decompressor(decompressor);
}

MessageInflater::MessageInflater(size_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

MessageInflater::~MessageInflater() = default;

MessageInflater::Result MessageInflater::Inflate(std::string_view compressed) {
  if (decompressor_ == nullptr) {
    decompressor_.reset(libdeflate_alloc_decompressor());
    output_ = std::make_unique<char[]>(max_message_bytes_);
  }
  if (decompressor_ == nullptr) return {.close_code = kCloseInternalError, .message = {}};
  input_.assign(compressed);
  input_.append(kTail);
  size_t size = 0;
  const libdeflate_result result = libdeflate_deflate_decompress(
      decompressor_.get(), input_.data(), input_.size(), output_.get(), max_message_bytes_, &size);
  // Clients send a few hundred bytes at most; a buffer that held a large message is given back.
  if (input_.capacity() > 4096) std::string().swap(input_);
  switch (result) {
    case LIBDEFLATE_SUCCESS:
      return {.close_code = 0, .message = std::string_view(output_.get(), size)};
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return {.close_code = kCloseMessageTooBig, .message = {}};
    default:
      return {.close_code = kCloseInvalidPayload, .message = {}};
  }
}

}  // namespace gw::websocket
