// Lexing and parsing of the text/template subset (see template.h) into template_ast.h's tree.
#include "machine/support/error.h"
#include "machine/support/template.h"
#include "machine/support/template_ast.h"
#include "machine/support/template_lex.h"

#include <fmt/format.h>

namespace machine::support::tmpl {

namespace {

enum class End { Eof, Else, End };

class Parser {
public:
    explicit Parser(const std::string& src) : m_src(src), m_lex(src) {}

    std::vector<Node> parse_top() {
        auto [nodes, end, pos] = parse_list();
        if (end != End::Eof) {
            fail(pos, end == End::Else ? "unexpected {{else}}" : "unexpected {{end}}");
        }
        return nodes;
    }

private:
    [[noreturn]] void fail(std::size_t pos, const std::string& msg) const { m_lex.fail(pos, msg); }
    Token next() { return m_lex.next(); }

    // Counts one level of nesting (a control, an else-if, a parenthesis) for its lifetime; the
    // parser and the evaluator recurse once per level.
    class Nest {
    public:
        Nest(Parser& p, std::size_t pos) : m_p(p) {
            if (++m_p.m_depth > k_template_max_depth) {
                m_p.fail(pos, fmt::format("nested deeper than {} levels", k_template_max_depth));
            }
        }
        ~Nest() { --m_p.m_depth; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;

    private:
        Parser& m_p;
    };

    struct ListEnd {
        std::vector<Node> nodes;
        End end;
        std::size_t pos;
    };

    // Text and actions up to EOF, {{else}} or {{end}}.
    ListEnd parse_list() {
        std::vector<Node> nodes;
        while (true) {
            const std::size_t start = m_lex.pos();
            const std::size_t open = m_src.find("{{", start);
            std::string text =
                m_src.substr(start, open == std::string::npos ? std::string::npos : open - start);
            // "{{- " (a space after the dash) trims the whitespace before it; "{{-3}}" does not.
            const bool trim_before = open != std::string::npos && open + 3 < m_src.size() &&
                                     m_src[open + 2] == '-' && is_space(m_src[open + 3]);
            if (m_trim_next) {
                std::size_t i = 0;
                while (i < text.size() && is_space(text[i])) {
                    ++i;
                }
                text.erase(0, i);
                m_trim_next = false;
            }
            if (trim_before) {
                while (!text.empty() && is_space(text.back())) {
                    text.pop_back();
                }
            }
            if (!text.empty()) {
                nodes.push_back(Node{Node::Kind::Text, text, {}, {}, {}, start});
            }
            if (open == std::string::npos) {
                m_lex.set_pos(m_src.size());
                return {std::move(nodes), End::Eof, m_src.size()};
            }
            m_lex.set_pos(open + 2 + (trim_before ? 2 : 0));
            const std::size_t action_pos = open;
            if (skip_comment(action_pos)) {
                continue;
            }
            Token first = next();
            if (first.type == Token::Type::Ident) {
                const std::string& kw = first.text;
                if (kw == "end") {
                    expect_close();
                    return {std::move(nodes), End::End, action_pos};
                }
                if (kw == "else") {
                    return {std::move(nodes), End::Else, action_pos};
                }
                if (kw == "if" || kw == "range" || kw == "with") {
                    nodes.push_back(parse_control(kw, action_pos));
                    continue;
                }
                if (kw == "define" || kw == "template" || kw == "block" || kw == "break" ||
                    kw == "continue") {
                    fail(first.pos, fmt::format("{{{{{}}}}} is not supported", kw));
                }
            }
            m_lex.push_back(std::move(first));
            Node action{Node::Kind::Action, {}, parse_pipeline(false), {}, {}, action_pos};
            if (action.pipe.commands.empty()) {
                fail(action_pos, "missing value for command");
            }
            nodes.push_back(std::move(action));
        }
    }

    // After "{{if" / "{{range" / "{{with": pipeline, body, optional else (or else-if), end.
    Node parse_control(const std::string& kw, std::size_t pos) {
        Nest nest(*this, pos);
        Node node;
        node.kind = kw == "if"      ? Node::Kind::If
                    : kw == "range" ? Node::Kind::Range
                                    : Node::Kind::With;
        node.pos = pos;
        node.pipe = parse_pipeline(false);
        if (node.pipe.commands.empty()) {
            fail(pos, fmt::format("missing value for {}", kw));
        }
        auto body = parse_list();
        node.body = std::move(body.nodes);
        if (body.end == End::Eof) {
            fail(pos, fmt::format("unexpected EOF: {{{{{}}}}} has no {{{{end}}}}", kw));
        }
        if (body.end == End::Else) {
            Token t = next();
            if (t.type == Token::Type::Ident && (t.text == "if" || t.text == "with") &&
                node.kind != Node::Kind::Range) {
                // {{else if x}}: a nested control that consumes the shared {{end}}.
                node.else_body.push_back(parse_control(t.text, body.pos));
                return node;
            }
            if (t.type != Token::Type::Close) {
                fail(t.pos, "unexpected token after else");
            }
            m_trim_next = t.trim;
            auto rest = parse_list();
            if (rest.end != End::End) {
                fail(rest.pos,
                     rest.end == End::Eof
                         ? fmt::format("unexpected EOF: {{{{{}}}}} has no {{{{end}}}}", kw)
                         : "unexpected second {{else}}");
            }
            node.else_body = std::move(rest.nodes);
        }
        return node;
    }

    // {{/* ... */}} with optional trim markers; true when one was consumed.
    bool skip_comment(std::size_t action_pos) {
        std::size_t p = m_lex.pos();
        if (m_src.compare(p, 2, "/*") != 0) {
            return false;
        }
        const std::size_t close = m_src.find("*/", p + 2);
        if (close == std::string::npos) {
            fail(action_pos, "unclosed comment");
        }
        p = close + 2;
        if (m_src.compare(p, 4, " -}}") == 0) {
            m_trim_next = true;
            p += 4;
        } else if (m_src.compare(p, 2, "}}") == 0) {
            p += 2;
        } else {
            fail(close, "comment ends before closing delimiter");
        }
        m_lex.set_pos(p);
        return true;
    }

    void expect_close() {
        Token t = next();
        if (t.type != Token::Type::Close) {
            fail(t.pos, "unexpected token; expected }}");
        }
        m_trim_next = t.trim;
    }

    // Commands separated by '|' up to "}}" (or ")" when `in_parens`).
    Pipeline parse_pipeline(bool in_parens) {
        Pipeline pipe;
        pipe.pos = m_lex.pos();
        Command cmd;
        cmd.pos = m_lex.pos();
        while (true) {
            Token t = next();
            switch (t.type) {
            case Token::Type::Close:
                if (in_parens) {
                    fail(t.pos, "unclosed left paren");
                }
                m_trim_next = t.trim;
                [[fallthrough]];
            case Token::Type::RParen:
                if (t.type == Token::Type::RParen && !in_parens) {
                    fail(t.pos, "unexpected right paren");
                }
                if (cmd.args.empty()) {
                    if (!pipe.commands.empty() || in_parens) {
                        fail(t.pos, "missing value for command");
                    }
                    return pipe; // "{{}}" is reported by the caller that needs a value
                }
                pipe.commands.push_back(std::move(cmd));
                return pipe;
            case Token::Type::Pipe:
                if (cmd.args.empty()) {
                    fail(t.pos, "missing value for command");
                }
                pipe.commands.push_back(std::move(cmd));
                cmd = Command{};
                cmd.pos = t.pos;
                break;
            case Token::Type::Assign:
            case Token::Type::Comma:
                fail(t.pos, "variables are not supported (only $)");
            default:
                cmd.args.push_back(operand(std::move(t)));
            }
        }
    }

    Operand operand(Token t) {
        Operand op;
        op.pos = t.pos;
        switch (t.type) {
        case Token::Type::Fields:
            op.kind = Operand::Kind::Dot;
            op.fields = std::move(t.fields);
            break;
        case Token::Type::Var:
            if (!t.text.empty()) {
                fail(t.pos, "variables are not supported (only $)");
            }
            op.kind = Operand::Kind::Root;
            op.fields = std::move(t.fields);
            break;
        case Token::Type::Literal:
            op.kind = Operand::Kind::Literal;
            op.literal = std::move(t.literal);
            break;
        case Token::Type::Ident:
            if (t.text == "true" || t.text == "false") {
                op.kind = Operand::Kind::Literal;
                op.literal = t.text == "true";
            } else if (t.text == "nil") {
                op.kind = Operand::Kind::Literal;
            } else if (is_function(t.text)) {
                op.kind = Operand::Kind::Function;
                op.function = t.text;
            } else {
                fail(t.pos, fmt::format("function \"{}\" not defined", t.text));
            }
            break;
        case Token::Type::LParen: {
            Nest nest(*this, t.pos);
            op.kind = Operand::Kind::Sub;
            op.sub = std::make_shared<Pipeline>(parse_pipeline(true));
            op.fields = m_lex.field_chain();
            break;
        }
        default:
            fail(t.pos, "unexpected token in command");
        }
        return op;
    }

    const std::string& m_src;
    Lexer m_lex;
    bool m_trim_next = false;
    int m_depth = 0;
};

} // namespace

std::string position(const std::string& source, std::size_t pos) {
    std::size_t line = 1;
    std::size_t col = 1;
    for (std::size_t i = 0; i < pos && i < source.size(); ++i) {
        if (source[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return fmt::format("{}:{}", line, col);
}

Template parse(const std::string& source) {
    Template t;
    t.source = source;
    t.nodes = Parser(t.source).parse_top();
    return t;
}

} // namespace machine::support::tmpl
