// The lexer of the template subset: tokens inside {{ }}.
#include "machine/support/template_lex.h"
#include "machine/support/error.h"
#include "machine/support/template_ast.h"

#include <cstdlib>
#include <fmt/format.h>

namespace machine::support::tmpl {

namespace {

bool is_ident(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void Lexer::fail(std::size_t pos, const std::string& msg) const {
    throw UsageError(fmt::format("template error at {}: {}", position(m_src, pos), msg));
}

// ".A.B" directly at m_pos (no space before it).
std::vector<std::string> Lexer::field_chain() {
    std::vector<std::string> fields;
    while (m_pos < m_src.size() && m_src[m_pos] == '.' && m_pos + 1 < m_src.size() &&
           is_ident(m_src[m_pos + 1])) {
        std::size_t end = m_pos + 1;
        while (end < m_src.size() && is_ident(m_src[end])) {
            ++end;
        }
        fields.push_back(m_src.substr(m_pos + 1, end - m_pos - 1));
        m_pos = end;
    }
    return fields;
}

Token Lexer::next() {
    if (m_peeked) {
        Token t = std::move(*m_peeked);
        m_peeked.reset();
        return t;
    }
    while (m_pos < m_src.size() && is_space(m_src[m_pos])) {
        if (m_src.compare(m_pos + 1, 3, "-}}") == 0) {
            Token t{Token::Type::Close, m_pos};
            t.trim = true;
            m_pos += 4;
            return t;
        }
        ++m_pos;
    }
    const std::size_t start = m_pos;
    if (m_pos >= m_src.size()) {
        fail(start, "unclosed action");
    }
    const char c = m_src[m_pos];
    if (m_src.compare(m_pos, 2, "}}") == 0) {
        m_pos += 2;
        return Token{Token::Type::Close, start};
    }
    if (c == '.') {
        if (m_pos + 1 < m_src.size() && is_digit(m_src[m_pos + 1])) {
            return number(start);
        }
        Token t{Token::Type::Fields, start};
        t.fields = field_chain();
        if (t.fields.empty()) {
            ++m_pos; // "." alone
        }
        return t;
    }
    if (c == '$') {
        ++m_pos;
        Token t{Token::Type::Var, start};
        while (m_pos < m_src.size() && is_ident(m_src[m_pos])) {
            t.text += m_src[m_pos++];
        }
        t.fields = field_chain();
        return t;
    }
    if (c == '"' || c == '`') {
        return string_literal(start);
    }
    if (is_digit(c) || ((c == '-' || c == '+') && m_pos + 1 < m_src.size() &&
                        (is_digit(m_src[m_pos + 1]) || m_src[m_pos + 1] == '.'))) {
        return number(start);
    }
    if (is_ident(c)) {
        Token t{Token::Type::Ident, start};
        while (m_pos < m_src.size() && is_ident(m_src[m_pos])) {
            t.text += m_src[m_pos++];
        }
        return t;
    }
    ++m_pos;
    switch (c) {
    case '(':
        return Token{Token::Type::LParen, start};
    case ')':
        return Token{Token::Type::RParen, start};
    case '|':
        return Token{Token::Type::Pipe, start};
    case ',':
        return Token{Token::Type::Comma, start};
    case '=':
        return Token{Token::Type::Assign, start};
    case ':':
        if (m_pos < m_src.size() && m_src[m_pos] == '=') {
            ++m_pos;
            return Token{Token::Type::Assign, start};
        }
        break;
    default:
        break;
    }
    fail(start, fmt::format("unexpected \"{}\" in command", c));
}

Token Lexer::number(std::size_t start) {
    std::size_t end = start;
    if (m_src[end] == '-' || m_src[end] == '+') {
        ++end;
    }
    while (end < m_src.size() && (is_ident(m_src[end]) || m_src[end] == '.' ||
                                  ((m_src[end] == '-' || m_src[end] == '+') &&
                                   (m_src[end - 1] == 'e' || m_src[end - 1] == 'E')))) {
        ++end;
    }
    const std::string text = m_src.substr(start, end - start);
    Token t{Token::Type::Literal, start};
    char* stop = nullptr;
    if (text.find_first_of(".eE") == std::string::npos) {
        const long long v = std::strtoll(text.c_str(), &stop, 10);
        t.literal = v;
    } else {
        t.literal = std::strtod(text.c_str(), &stop);
    }
    if (stop != text.c_str() + text.size()) {
        fail(start, fmt::format("bad number syntax: \"{}\"", text));
    }
    m_pos = end;
    return t;
}

Token Lexer::string_literal(std::size_t start) {
    const char quote = m_src[m_pos++];
    std::string value;
    while (true) {
        if (m_pos >= m_src.size() || (quote == '"' && m_src[m_pos] == '\n')) {
            fail(start, "unterminated quoted string");
        }
        const char c = m_src[m_pos++];
        if (c == quote) {
            break;
        }
        if (c != '\\' || quote == '`') {
            value += c;
            continue;
        }
        const char e = m_pos < m_src.size() ? m_src[m_pos++] : '\0';
        switch (e) {
        case 'n':
            value += '\n';
            break;
        case 't':
            value += '\t';
            break;
        case 'r':
            value += '\r';
            break;
        case 'a':
            value += '\a';
            break;
        case 'b':
            value += '\b';
            break;
        case 'f':
            value += '\f';
            break;
        case 'v':
            value += '\v';
            break;
        case '\\':
            value += '\\';
            break;
        case '"':
            value += '"';
            break;
        case '\'':
            value += '\'';
            break;
        case 'x':
        case 'u':
        case 'U': {
            const std::size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            const std::string hex = m_src.substr(m_pos, n);
            char* stop = nullptr;
            const unsigned long cp = std::strtoul(hex.c_str(), &stop, 16);
            if (hex.size() != n || stop != hex.c_str() + n) {
                fail(m_pos - 2, "invalid escape in quoted string");
            }
            m_pos += n;
            if (e == 'x') {
                value += static_cast<char>(cp);
            } else {
                append_utf8(value, cp);
            }
            break;
        }
        default:
            fail(m_pos - 2, "invalid escape in quoted string");
        }
    }
    Token t{Token::Type::Literal, start};
    t.literal = value;
    return t;
}

} // namespace machine::support::tmpl
