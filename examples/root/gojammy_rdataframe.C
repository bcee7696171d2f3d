// gojammy_rdataframe.C -- adds a log_pdf column to a tree with RDataFrame: the tree's columns
// (named in `columns`, one per coordinate of the model, comma-separated) are the points; the
// result is written with those columns plus log_pdf to out_path. The model evaluates one event
// per call, from as many threads as RDataFrame uses (gojammy's evaluation is thread-safe).
//
//   root -l -b -q -e 'gSystem->Load("/path/to/libgojammy.so");' \
//        -e 'gInterpreter->AddIncludePath("/path/to/gojammy/include");' \
//        'gojammy_rdataframe.C("model.safetensors", "events.root", "events", "x0,x1", "with_logpdf.root")'
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ROOT/RDataFrame.hxx"
#include "ROOT/RVec.hxx"
#include "gojammy.hpp"

void gojammy_rdataframe(const char* model_path, const char* in_path, const char* tree, const char* columns,
                        const char* out_path) {
    auto pdf = std::make_shared<const gojammy::Pdf>(gojammy::Pdf::load(model_path));
    std::vector<std::string> cols;
    std::stringstream list(columns);
    for (std::string c; std::getline(list, c, ',');) cols.push_back(c);
    if (static_cast<int64_t>(cols.size()) != pdf->dim()) {
        throw std::runtime_error("gojammy_rdataframe: the model has dimension " + std::to_string(pdf->dim()) +
                                 ", got " + std::to_string(cols.size()) + " columns");
    }
    ROOT::RDataFrame df(tree, in_path);
    // The point of an event as one vector column, then its log-density.
    std::string point = "ROOT::RVecD{" + std::string(columns) + "}";
    auto with_point = df.Define("gojammy_point", point);
    auto out = with_point.Define(
        "log_pdf", [pdf](const ROOT::RVecD& x) { return pdf->log_density(gojammy::Values(x.data(), x.size())).log_pdf[0]; },
        {"gojammy_point"});
    std::vector<std::string> keep(cols);
    keep.push_back("log_pdf");
    out.Snapshot(tree, out_path, keep);
    std::printf("gojammy_rdataframe: %s with log_pdf written to %s\n", in_path, out_path);
}
