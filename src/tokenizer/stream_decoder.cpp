#include <utility>

#include "loco/tokenizer.h"
#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/utf8.h"

namespace loco {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special)
    : tokenizer_(tokenizer), skip_special_(skip_special) {}

std::string StreamDecoder::push(TokenId id) {
  tokenizer_.impl_->append_piece(id, skip_special_, at_start_, pending_);
  // Hold back a character whose last bytes have not arrived yet; anything else (including
  // bytes that can never form a valid character) goes out now.
  const size_t ready = pending_.size() - utf8::incomplete_tail(pending_);
  std::string chunk = pending_.substr(0, ready);
  pending_.erase(0, ready);
  return chunk;
}

std::string StreamDecoder::flush() { return std::exchange(pending_, std::string()); }

}  // namespace loco
