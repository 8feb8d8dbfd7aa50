package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// DistanceKm is the geodesic distance between two lon/lat points on the
// WGS84 ellipsoid in km (Vincenty's inverse formula; for the nearly
// antipodal pairs where it does not converge, the authalic-sphere great
// circle, within 0.5%).
func DistanceKm(a, b orb.Point) float64 {
	if a == b {
		return 0
	}
	const bAxis = wgs84A * (1 - wgs84F)
	L := (b[0] - a[0]) * math.Pi / 180
	U1 := math.Atan((1 - wgs84F) * math.Tan(a[1]*math.Pi/180))
	U2 := math.Atan((1 - wgs84F) * math.Tan(b[1]*math.Pi/180))
	sinU1, cosU1 := math.Sincos(U1)
	sinU2, cosU2 := math.Sincos(U2)
	lambda := L
	for iter := 0; iter < 200; iter++ {
		sinL, cosL := math.Sincos(lambda)
		sinSigma := math.Hypot(cosU2*sinL, cosU1*sinU2-sinU1*cosU2*cosL)
		if sinSigma == 0 {
			return 0
		}
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosL
		sigma := math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinL / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		C := wgs84F / 16 * cos2Alpha * (4 + wgs84F*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-C)*wgs84F*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			u2 := cos2Alpha * (wgs84A*wgs84A - bAxis*bAxis) / (bAxis * bAxis)
			A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
			B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
			dSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
			return bAxis * A * (sigma - dSigma) / 1000
		}
	}
	return sphereKm(a, b)
}

// sphereKm is the great-circle distance on the authalic sphere (haversine).
func sphereKm(a, b orb.Point) float64 {
	p1, p2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dp, dl := p2-p1, (b[0]-a[0])*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * authalicRadius * math.Asin(math.Min(1, math.Sqrt(h))) / 1000
}

// LengthKm is the geodesic length in km of a LineString or MultiLineString
// (0 for other geometries).
func LengthKm(g orb.Geometry) float64 {
	switch t := g.(type) {
	case orb.LineString:
		var l float64
		for i := 1; i < len(t); i++ {
			l += DistanceKm(t[i-1], t[i])
		}
		return l
	case orb.MultiLineString:
		var l float64
		for _, ls := range t {
			l += LengthKm(ls)
		}
		return l
	}
	return 0
}
