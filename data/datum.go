package data

// DatumReport is the manifest's record of the coordinate datum: what the
// files hold, what each source was in, how it was converted and the
// evidence that the sources needed converting.
type DatumReport struct {
	Output  string        `json:"output"`
	Sources []SourceDatum `json:"sources"`
	Method  string        `json:"method"`
	// VerticesConverted counts output vertices that went through an
	// inverse transform (a vertex shared by n features counts n times).
	VerticesConverted int `json:"vertices_converted"`
	// MaxRoundTripResidualM is the largest distance between a source
	// vertex and the forward transform of its converted position.
	MaxRoundTripResidualM float64 `json:"max_round_trip_residual_m"`
	ToleranceDeg          float64 `json:"inverse_tolerance_deg"`
	// ShiftM is the smallest and largest distance a vertex moved.
	ShiftM   [2]float64      `json:"shift_m"`
	Evidence []DatumEvidence `json:"evidence"`
}

// SourceDatum is the datum one source's coordinates are in.
type SourceDatum struct {
	Name  string `json:"name"`
	Datum string `json:"datum"`
}

// DatumEvidence is one border measured against an independent WGS84
// outline: mean signed displacement east and north, metres.
type DatumEvidence struct {
	Border                string     `json:"border"`
	Points                int        `json:"points"`
	Reference             string     `json:"reference"`
	ServedMinusReferenceM [2]float64 `json:"served_minus_reference_en_m"`
	GCJ02PredictsM        [2]float64 `json:"gcj02_predicts_en_m"`
	AfterInverseM         [2]float64 `json:"after_inverse_en_m"`
}
