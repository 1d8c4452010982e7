// docker's "table" formats: a header row derived from the template's fields, one row per item,
// aligned into columns by a port of Go's text/tabwriter.
#include "machine/support/template.h"
#include "machine/support/template_eval.h"

namespace machine::support {

namespace {

struct Cell {
    std::string text;
    std::size_t width = 0; // in code points
};
using Line = std::vector<Cell>;

std::size_t utf8_width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        n += (c & 0xC0) != 0x80;
    }
    return n;
}

class TabWriter {
public:
    TabWriter(const std::string& text, TableStyle style) : m_style(style) {
        Line line;
        std::string cell;
        for (char c : text) {
            if (c == '\t' || c == '\n') {
                line.push_back({cell, utf8_width(cell)});
                cell.clear();
                if (c == '\n') {
                    m_lines.push_back(std::move(line));
                    line.clear();
                }
            } else {
                cell += c;
            }
        }
        line.push_back({cell, utf8_width(cell)});
        m_lines.push_back(std::move(line)); // the text after the last newline, often empty
    }

    std::string run() {
        format(0, m_lines.size());
        return std::move(m_out);
    }

private:
    // Go's Writer.format: a column block is a run of consecutive lines that have a tab-terminated
    // cell in this column; its width is the widest such cell plus padding, at least min_width.
    void format(std::size_t line0, std::size_t line1) {
        const std::size_t column = m_widths.size();
        for (std::size_t cur = line0; cur < line1; ++cur) {
            if (column + 1 >= m_lines[cur].size()) {
                continue;
            }
            write_lines(line0, cur);
            line0 = cur;
            std::size_t width = static_cast<std::size_t>(m_style.min_width);
            for (; cur < line1; ++cur) {
                const Line& line = m_lines[cur];
                if (column + 1 >= line.size()) {
                    break;
                }
                width =
                    std::max(width, line[column].width + static_cast<std::size_t>(m_style.padding));
            }
            m_widths.push_back(width);
            format(line0, cur);
            m_widths.pop_back();
            line0 = cur; // the loop's ++ skips line `cur`, which has no cell in this column
        }
        write_lines(line0, line1);
    }

    void write_lines(std::size_t line0, std::size_t line1) {
        for (std::size_t i = line0; i < line1; ++i) {
            const Line& line = m_lines[i];
            for (std::size_t j = 0; j < line.size(); ++j) {
                m_out += line[j].text;
                if (j < m_widths.size() && m_widths[j] > line[j].width) {
                    m_out.append(m_widths[j] - line[j].width, ' ');
                }
            }
            if (i + 1 < m_lines.size()) {
                m_out += '\n';
            }
        }
    }

    TableStyle m_style;
    std::vector<Line> m_lines;
    std::vector<std::size_t> m_widths;
    std::string m_out;
};

// The first field path shown by a pipeline: ".A.B" -> {"A", "B"}.
std::vector<std::string> first_field(const tmpl::Pipeline& pipe) {
    for (const auto& cmd : pipe.commands) {
        for (const auto& op : cmd.args) {
            if (op.kind == tmpl::Operand::Kind::Sub) {
                if (auto f = first_field(*op.sub); !f.empty()) {
                    return f;
                }
            }
            if (!op.fields.empty()) {
                return op.fields;
            }
        }
    }
    return {};
}

// Splits the template's output into cells at literal tabs and names each cell after the first
// field it shows.
void header_cells(const std::vector<tmpl::Node>& nodes,
                  std::vector<std::vector<std::string>>& cells) {
    for (const auto& node : nodes) {
        if (node.kind == tmpl::Node::Kind::Text) {
            for (char c : node.text) {
                if (c == '\t') {
                    cells.emplace_back();
                }
            }
            continue;
        }
        if (cells.back().empty()) {
            cells.back() = first_field(node.pipe);
        }
        header_cells(node.body, cells);
        header_cells(node.else_body, cells);
    }
}

std::string header_row(const tmpl::Template& t, const std::map<std::string, std::string>& headers) {
    std::vector<std::vector<std::string>> cells(1);
    header_cells(t.nodes, cells);
    std::string row;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        std::string path;
        for (const auto& f : cells[i]) {
            path += (path.empty() ? "" : ".") + f;
        }
        std::string label;
        if (auto it = headers.find(path); it != headers.end()) {
            label = it->second;
        } else if (!cells[i].empty()) {
            label = tmpl::call_function("upper", {cells[i].back()}).get<std::string>();
        }
        row += (i ? "\t" : "") + label;
    }
    return row + "\n";
}

} // namespace

bool is_table_format(const std::string& format) {
    return format.rfind("table", 0) == 0 &&
           (format.size() == 5 || format[5] == ' ' || format[5] == '\t' || format[5] == '\n');
}

std::string strip_table_prefix(const std::string& format) {
    if (!is_table_format(format)) {
        return format;
    }
    const auto start = format.find_first_not_of(" \t\n", 5);
    return start == std::string::npos ? std::string() : format.substr(start);
}

std::string tabwriter(const std::string& text, TableStyle style) {
    return TabWriter(text, style).run();
}

std::string render_table(const std::string& tmpl_text, const std::vector<nlohmann::json>& rows,
                         const std::map<std::string, std::string>& headers, TableStyle style) {
    const tmpl::Template t = tmpl::parse(tmpl_text);
    std::string text = header_row(t, headers);
    for (const auto& row : rows) {
        text += tmpl::execute(t, row);
        if (text.back() != '\n') {
            text += '\n';
        }
    }
    return tabwriter(text, style);
}

} // namespace machine::support
