// gojammy_sample.C -- a ROOT macro: loads a saved gojammy model, draws n samples with a seed,
// evaluates their log-density again, and writes them as a TTree "samples" (branches x0, x1, ...
// and log_pdf) with a histogram of the first coordinate to out_path.
//
//   root -l -b -q -e 'gSystem->Load("/path/to/libgojammy.so");' \
//        -e 'gInterpreter->AddIncludePath("/path/to/gojammy/include");' \
//        'gojammy_sample.C("model.safetensors", "samples.root", 10000, 1)'
#include <cstdio>
#include <string>
#include <vector>

#include "TFile.h"
#include "TH1D.h"
#include "TTree.h"
#include "gojammy.hpp"

void gojammy_sample(const char* model_path, const char* out_path, long n = 10000, unsigned long seed = 1) {
    gojammy::Pdf pdf = gojammy::Pdf::load(model_path);
    const int64_t dim = pdf.dim();
    gojammy::Samples s = pdf.sample(n, seed);
    gojammy::Density d = pdf.log_density(s.x);

    TFile out(out_path, "RECREATE");
    TTree tree("samples", "gojammy samples");
    std::vector<double> row(dim);
    double log_pdf = 0;
    for (int64_t j = 0; j < dim; ++j) tree.Branch(("x" + std::to_string(j)).c_str(), &row[j]);
    tree.Branch("log_pdf", &log_pdf);
    TH1D hist("x0", "first coordinate of the samples;x_{0};events", 100, -5, 5);
    for (long i = 0; i < n; ++i) {
        for (int64_t j = 0; j < dim; ++j) row[j] = s.x[i * dim + j];
        log_pdf = d.log_pdf[i];
        tree.Fill();
        hist.Fill(row[0]);
    }
    tree.Write();
    hist.Write();
    std::printf("gojammy_sample: %ld samples of %s written to %s (mean x0 %.4f)\n", n, model_path, out_path,
                hist.GetMean());
}
