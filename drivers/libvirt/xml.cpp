#include "drivers/libvirt/xml.h"

#include "machine/support/handle.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

namespace machine::drivers::libvirt::xml {

namespace {
using DocPtr = support::Handle<xmlDoc, xmlFreeDoc>;
using ContextPtr = support::Handle<xmlXPathContext, xmlXPathFreeContext>;
using ObjectPtr = support::Handle<xmlXPathObject, xmlXPathFreeObject>;

std::string to_string(xmlChar* s) {
    if (!s)
        return {};
    std::string out(reinterpret_cast<const char*>(s));
    xmlFree(s);
    return out;
}
} // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '\'': out += "&apos;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string Element::attr(const std::string& name) const {
    auto it = attrs.find(name);
    return it == attrs.end() ? std::string{} : it->second;
}

std::optional<std::vector<Element>> select(const std::string& document, const std::string& xpath) {
    DocPtr doc(xmlReadMemory(document.data(), static_cast<int>(document.size()), "libvirt.xml",
                             nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc)
        return std::nullopt;
    ContextPtr ctx(xmlXPathNewContext(doc.get()));
    if (!ctx)
        return std::nullopt;
    ObjectPtr result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()));
    std::vector<Element> out;
    if (!result || !result->nodesetval)
        return out;
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        xmlNodePtr node = result->nodesetval->nodeTab[i];
        if (node->type != XML_ELEMENT_NODE)
            continue;
        Element e;
        for (xmlAttrPtr a = node->properties; a; a = a->next)
            e.attrs[reinterpret_cast<const char*>(a->name)] =
                to_string(xmlNodeListGetString(doc.get(), a->children, 1));
        e.text = to_string(xmlNodeGetContent(node));
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace machine::drivers::libvirt::xml
