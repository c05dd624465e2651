// C expressions over the dumped kernel, as `p`, `whatis` and scripts use
// them: globals, enumerators, integer constants, . -> [] * & casts, sizeof,
// arithmetic, bit, comparison and logical operators, ?: and per_cpu(var, cpu).
// Values are Objects (core/types/object.hpp): an lvalue is only read when an
// operator needs its value, so `whatis init_task.se` reads nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/types/object.hpp"

namespace kinspect {

class Program;

struct ExprResult {
  Object value;
  // When the whole expression is one identifier, its name ("jiffies"), so
  // `p` can print crash's "jiffies = $1 = ..." leader.
  std::string symbol;
};

// Names that shadow the kernel's globals, as a function's locals do in C:
// the variables of the frame selected with `frame N`. nullopt: not a local;
// an error: a local with no value (optimized out, register not recovered).
using LocalNames = std::function<std::optional<Result<Object>>(std::string_view name)>;

// Evaluates a whole expression; trailing text is an error.
Result<ExprResult> evaluate(Program& prog, std::string_view text, const LocalNames& locals = {});

}  // namespace kinspect
