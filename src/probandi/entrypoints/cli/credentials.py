"""`probandi credential`: a brand's signing keys and the credentials it issues (ADR 0014).

`keygen` and the signing in `issue` run on the brand's machine: the private key stays in the
file you name and is never sent to probandi. Commands that talk to probandi act as the
rights holder of an API key (`--key`, or `PROBANDI_API_KEY`), with the HTTP API's rules, and
print JSON documents as the HTTP API answers them; errors exit 2 with one line on stderr.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from probandi.adapters.credentials.jose import generate_key, public_of, sign_credential
from probandi.adapters.credentials.letter import render_pdf, render_png
from probandi.domain.actors import Actor
from probandi.domain.credentials import Scope
from probandi.entrypoints.api.credential_schemas import CredentialOut, KeyOut, PreparedOut
from probandi.entrypoints.cli.notices import Key, _run, emit
from probandi.entrypoints.cli.system import iso_moment
from probandi.services import credentials
from probandi.services.context import Services

credential_app = typer.Typer(
    help="Brand-signed authorization credentials: keys, issuing, revocation.",
    no_args_is_help=True,
)
KeyFile = Annotated[
    Path, typer.Option("--signing-key", help="the private JWK file (from `keygen`)", exists=True)
]
Kid = Annotated[str, typer.Option("--kid", help="the key's id, as registered")]
CredentialId = Annotated[str, typer.Argument(help="the credential's id (urn:uuid:...)")]


def _when(text: str | None) -> datetime | None:
    return None if text is None else iso_moment(text)


def _private(path: Path) -> dict[str, Any]:
    try:
        jwk = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"{path} is not a JWK file: {exc}") from None
    if not isinstance(jwk, dict) or "d" not in jwk:
        raise typer.BadParameter(f"{path} holds no private key")
    return jwk


@credential_app.command("keygen")
def keygen(
    out: Annotated[Path, typer.Option("--out", help="where to write the private JWK (0600)")],
) -> None:
    """Make an Ed25519 key pair on this machine. The private key goes to --out, readable by
    you alone; the public JWK is printed, to register with `key-register`."""
    if out.exists():
        raise typer.BadParameter(f"{out} exists; not overwritten")
    private, public = generate_key()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(private, f)
    typer.echo(json.dumps(public))


@credential_app.command("key-register")
def key_register(
    key: Key,
    kid: Kid,
    brand: Annotated[list[str], typer.Option(help="a brand id the key signs for (repeat)")],
    signing_key: Annotated[
        Path | None,
        typer.Option("--signing-key", help="take the public part of this private JWK", exists=True),
    ] = None,
    jwk: Annotated[Path | None, typer.Option(help="or a public JWK file", exists=True)] = None,
    valid_until: Annotated[str | None, typer.Option(help="ISO date-time with zone")] = None,
) -> None:
    """Register a public key for brands you hold (only its public part is sent)."""
    if signing_key is not None and jwk is None:
        public = public_of(_private(signing_key))
    elif jwk is not None and signing_key is None:
        public = json.loads(jwk.read_text())
    else:
        raise typer.BadParameter("give --signing-key or --jwk")
    spec = credentials.KeySpec(kid, public, tuple(brand), None, _when(valid_until))
    emit(KeyOut.from_domain(_run(key, lambda svc, a: credentials.register_key(spec, a, svc=svc))))


@credential_app.command("keys")
def keys(key: Key) -> None:
    """Your keys (every key, for an admin)."""
    emit(
        [KeyOut.from_domain(k) for k in _run(key, lambda svc, a: credentials.list_keys(a, svc=svc))]
    )


@credential_app.command("key-retire")
def key_retire(key: Key, kid: Annotated[str, typer.Argument(help="the key's id")]) -> None:
    """Sign nothing new with the key; what it signed stays valid until it expires."""
    emit(
        KeyOut.from_domain(
            _run(key, lambda svc, a: credentials.change_key(kid, "retire", a, svc=svc))
        )
    )


@credential_app.command("key-compromised")
def key_compromised(key: Key, kid: Annotated[str, typer.Argument(help="the key's id")]) -> None:
    """Report the private key compromised: everything it signed is void at once, and
    listings approved on it are held again at the next tick."""
    changed = _run(key, lambda svc, a: credentials.change_key(kid, "compromised", a, svc=svc))
    emit(KeyOut.from_domain(changed))


@credential_app.command("issue")
def issue(
    key: Key,
    signing_key: KeyFile,
    kid: Kid,
    legal_name: Annotated[str, typer.Option(help="the reseller's legal name")],
    registration_id: Annotated[str, typer.Option(help="its USCC or other registration id")],
    brand: Annotated[list[str], typer.Option(help="a brand id it may sell (repeat)")],
    valid_until: Annotated[str, typer.Option(help="ISO date-time with zone")],
    valid_from: Annotated[str | None, typer.Option(help="ISO date-time; default now")] = None,
    category: Annotated[list[str] | None, typer.Option(help="scope: a category (repeat)")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="scope: a channel (repeat)")] = None,
    quantity_cap: Annotated[int | None, typer.Option(min=0, help="scope: units at most")] = None,
    out: Annotated[Path | None, typer.Option(help="write the signed token (.jwt) here")] = None,
    letter: Annotated[
        Path | None, typer.Option(help="write a printable letter with its QR code (.png or .pdf)")
    ] = None,
) -> None:
    """Register a credential with probandi, then sign it here with your private key. Prints
    the signed token; --out and --letter write it to files too."""
    private = _private(signing_key)
    if letter is not None and letter.suffix.lower() not in (".png", ".pdf"):
        raise typer.BadParameter("--letter must end in .png or .pdf")
    spec = credentials.CredentialSpec(
        kid=kid,
        legal_name=legal_name,
        registration_id=registration_id,
        brand_ids=tuple(brand),
        valid_until=_when(valid_until),
        valid_from=_when(valid_from),
        scope=Scope(tuple(category or ()), tuple(channel or ()), quantity_cap),
    )

    def use(svc: Services, actor: Actor) -> credentials.PreparedCredential:
        return credentials.prepare_credential(spec, actor, svc=svc)

    prepared = _run(key, use)
    token = sign_credential(prepared.payload, private, kid)
    if out is not None:
        out.write_text(token + "\n")
    if letter is not None:
        render = render_pdf if letter.suffix.lower() == ".pdf" else render_png
        letter.write_bytes(render(token, prepared.payload))
    typer.echo(
        json.dumps(
            {
                "credential": PreparedOut.from_prepared(prepared).credential.model_dump(
                    mode="json"
                ),
                "token": token,
            }
        )
    )


def _change(key: str, credential_id: str, action: str) -> None:
    changed = _run(
        key, lambda svc, a: credentials.change_credential(credential_id, action, a, svc=svc)
    )
    emit(CredentialOut.from_domain(changed))


@credential_app.command("revoke")
def revoke(key: Key, credential_id: CredentialId) -> None:
    """Revoke for good: the status list bit is set at once, and listings approved on it are
    held again at the next tick."""
    _change(key, credential_id, "revoke")


@credential_app.command("suspend")
def suspend(key: Key, credential_id: CredentialId) -> None:
    """Suspend until reinstated: it passes no gate meanwhile."""
    _change(key, credential_id, "suspend")


@credential_app.command("reinstate")
def reinstate(key: Key, credential_id: CredentialId) -> None:
    """Lift a suspension: the credential passes the gate again."""
    _change(key, credential_id, "reinstate")


@credential_app.command("list")
def list_issued(key: Key) -> None:
    """The credentials you issued, newest first."""
    found = _run(key, lambda svc, a: credentials.list_credentials(a, svc=svc))
    emit([CredentialOut.from_domain(c) for c in found])
