#pragma once
// Internal to the template engine: the tokens inside one {{action}}.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace machine::support::tmpl {

bool is_space(char c);

struct Token {
    enum class Type { Fields, Var, Ident, Literal, LParen, RParen, Pipe, Close, Assign, Comma };
    Type type;
    std::size_t pos;
    std::string text;                // Ident, Var name
    std::vector<std::string> fields; // Fields (empty: "."), Var chain
    nlohmann::json literal;
    bool trim = false; // Close: "-}}"
};

// Reads tokens from `src` starting at pos(); the parser moves pos() over text between actions.
class Lexer {
public:
    explicit Lexer(const std::string& src) : m_src(src) {}

    // The next token of an action; "}}" (or " -}}", with trim set) is a Close token.
    Token next();
    // Pushes one token back, to be returned by the next call to next().
    void push_back(Token t) { m_peeked = std::move(t); }
    // ".A.B" directly at pos() (no space before it); empty if none.
    std::vector<std::string> field_chain();

    std::size_t pos() const { return m_pos; }
    void set_pos(std::size_t pos) { m_pos = pos; }
    const std::string& src() const { return m_src; }
    // Throws UsageError "template error at L:C: msg".
    [[noreturn]] void fail(std::size_t pos, const std::string& msg) const;

private:
    Token number(std::size_t start);
    Token string_literal(std::size_t start);

    const std::string& m_src;
    std::size_t m_pos = 0;
    std::optional<Token> m_peeked;
};

} // namespace machine::support::tmpl
