// GojammyPdf.h -- a gojammy model of one observable as a RooFit PDF: the trained flow as a fixed
// shape (it has no fit parameters), for example the signal component of an extended fit.
// RooFit normalizes it over the observable's range numerically.
#ifndef GOJAMMY_ROOFIT_PDF_H
#define GOJAMMY_ROOFIT_PDF_H

#include <cmath>
#include <memory>
#include <utility>

#include "RooAbsPdf.h"
#include "RooAbsReal.h"
#include "RooRealProxy.h"
#include "gojammy.hpp"

class GojammyPdf : public RooAbsPdf {
public:
    // flow must be a one-dimensional, unconditional model; it is shared by the PDF's clones.
    GojammyPdf(const char* name, const char* title, RooAbsReal& x, std::shared_ptr<const gojammy::Pdf> flow)
        : RooAbsPdf(name, title), x_("x", "observable", this, x), flow_(std::move(flow)) {
        if (flow_->dim() != 1 || flow_->conditional_dim() != 0) {
            throw gojammy::Error(GJ_ERR_ARGUMENT, "GojammyPdf: needs a one-dimensional unconditional model");
        }
    }
    GojammyPdf(const GojammyPdf& other, const char* name = nullptr)
        : RooAbsPdf(other, name), x_("x", this, other.x_), flow_(other.flow_) {}
    TObject* clone(const char* newname) const override { return new GojammyPdf(*this, newname); }

protected:
    double evaluate() const override {
        const double x = x_;
        return std::exp(flow_->log_density(gojammy::Values(&x, 1)).log_pdf[0]);
    }

private:
    RooRealProxy x_;
    std::shared_ptr<const gojammy::Pdf> flow_;
};

#endif  // GOJAMMY_ROOFIT_PDF_H
