#ifndef PAM_JCFED_SHIM_H
#define PAM_JCFED_SHIM_H
/* The C shim holds only the pam_sm_* entry points; everything else is Swift (JCFedPAM). */
#endif
