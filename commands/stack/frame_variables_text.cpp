#include "commands/stack/frame_variables_text.hpp"

#include "commands/symbols/type_support.hpp"
#include "core/program.hpp"

namespace kinspect {

std::string frame_variable_value(ValuePrinter& printer, const FrameVariable& v) {
  if (!v.value) return v.missing == Missing::optimized_out ? "<optimized out>" : "<unavailable: " + v.why + ">";
  const Object& o = *v.value;
  Result<std::vector<uint8_t>> bytes =
      o.is_lvalue() ? read_for_print(o.program(), o.type(), o.address()) : o.bytes();
  if (!bytes.ok()) return "<unavailable: " + bytes.error().message + ">";
  return printer.top_level(o.type(), *bytes, o.is_lvalue() ? o.address() : 0);
}

std::string frame_variables_text(Program& prog, const std::vector<FrameScope>& scopes,
                                 const ValueFormat& fmt, const std::string& indent) {
  ValuePrinter printer(prog, fmt);
  std::string out;
  for (const FrameScope& s : scopes) {
    out += indent + (s.function.empty() ? "??" : s.function);
    if (s.inlined) {
      out += " (inlined";
      if (!s.call_file.empty()) out += " at " + s.call_file + ":" + std::to_string(s.call_line);
      out += ")";
    }
    out += ":\n";
    if (s.variables.empty()) out += indent + "  (no arguments or locals)\n";
    for (const FrameVariable& v : s.variables) {
      std::string text = frame_variable_value(printer, v);
      // A struct's member lines follow the first line; keep them under it.
      std::string body;
      for (char c : text) {
        body += c;
        if (c == '\n') body += indent + "  ";
      }
      out += indent + "  " + v.name + " = " + body + "\n";
    }
  }
  return out;
}

std::string backtrace_frame_variables(Program& prog, const Backtrace& bt, size_t level, const ValueFormat& fmt) {
  const std::string indent = "    ";
  auto scopes = frame_scopes(prog, bt.frames, level);
  if (!scopes.ok()) return indent + "(no variables: " + scopes.error().message + ")\n";
  return frame_variables_text(prog, *scopes, fmt, indent);
}

}  // namespace kinspect
