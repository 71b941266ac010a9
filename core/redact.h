/* redact.h - secrets taken out of text that is shown: the --debug trace
 * and messages that quote a response body.
 *
 * DESIGN 5: a secret access key, session token or password never appears
 * in a trace or message. Requests carry secrets in parameters
 * (CreateLoginProfile's Password, ChangePassword's OldPassword and
 * NewPassword, UploadServerCertificate's PrivateKey, the assertions and
 * tokens of AssumeRoleWithSAML / WithWebIdentity, MFA codes); responses
 * in elements (STS's SecretAccessKey and SessionToken, CreateAccessKey's
 * SecretAccessKey, the service-specific credentials' ServicePassword and
 * ServiceCredentialSecret, a virtual MFA device's Base32StringSeed and
 * QRCodePNG). Their values become "[REDACTED]"; everything else is kept,
 * byte for byte. Public material stays: UploadSSHPublicKey's key,
 * UploadSigningCertificate's and UploadServerCertificate's certificate
 * bodies, policy documents.
 */
#ifndef IAM_REDACT_H
#define IAM_REDACT_H

#include "buf.h"

#include <stddef.h>

#define REDACTED "[REDACTED]"

/* Appends an application/x-www-form-urlencoded body to out with the value
 * of every secret parameter (matched on the name's last dotted part,
 * "ProvidedContexts.member.1.ContextAssertion") replaced. IAM_OK, or
 * out's IAM_ENOMEM / IAM_ETOOBIG. */
int redact_query(struct buf *out, const char *body, size_t len);

/* Appends XML text to out with the content of every secret element
 * replaced, up to its closing tag or, in a truncated document, to the
 * end. Works on malformed text too: it is what a parser error quotes. */
int redact_xml(struct buf *out, const char *xml, size_t len);

#endif
