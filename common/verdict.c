/*
 * verdict.c -- names of the verdict codes, as fcrdnsctl and logs print them.
 */
#include "verdict.h"

const char *
verdict_name(int v)
{
	switch (v) {
	case V_NONE: return "NONE";
	case V_PASS: return "PASS";
	case V_NO_PTR: return "NO_PTR";
	case V_NO_FORWARD: return "NO_FORWARD";
	case V_MISMATCH: return "MISMATCH";
	case V_TEMPERROR: return "TEMPERROR";
	case V_NOT_APPLICABLE: return "NOT_APPLICABLE";
	}
	return "?";
}
