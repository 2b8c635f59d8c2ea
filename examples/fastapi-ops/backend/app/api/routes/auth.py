import secrets
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, EmailStr
from sqlalchemy import select

from app.api.deps import CurrentUser, DbSession
from app.core.config import settings
from app.core.rate_limit import limiter
from app.core.security import create_token, decode_token, hash_password, verify_password
from app.models import User, VerificationToken
from app.services import audit

router = APIRouter(prefix="/auth", tags=["auth"])


class RegisterIn(BaseModel):
    email: EmailStr
    password: str


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


def issue_tokens(user: User) -> TokenPair:
    return TokenPair(
        access_token=create_token(str(user.id), "access", timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)),
        refresh_token=create_token(str(user.id), "refresh", timedelta(days=settings.REFRESH_TOKEN_EXPIRE_DAYS)),
    )


@router.post("/register", status_code=status.HTTP_201_CREATED)
@limiter.limit("5/minute")
def register(request: Request, body: RegisterIn, db: DbSession) -> dict:
    if db.scalars(select(User).where(User.email == body.email)).first():
        raise HTTPException(status_code=400, detail="Email already registered")
    user = User(email=body.email, hashed_password=hash_password(body.password))
    db.add(user)
    db.commit()
    token = VerificationToken(user_id=user.id, token=secrets.token_urlsafe(32), expires_at=datetime.now(timezone.utc) + timedelta(days=2))
    db.add(token)
    db.commit()
    return {"id": user.id, "email": user.email}


@router.post("/login")
@limiter.limit("10/minute")
def login(request: Request, db: DbSession, form: OAuth2PasswordRequestForm = Depends()) -> TokenPair:
    user = db.scalars(select(User).where(User.email == form.username)).first()
    if user is None or not verify_password(form.password, user.hashed_password):
        raise HTTPException(status_code=401, detail="Incorrect email or password")
    audit.record(db, user.id, "login")
    return issue_tokens(user)


@router.post("/refresh")
def refresh(refresh_token: str, db: DbSession) -> TokenPair:
    user_id = decode_token(refresh_token, "refresh")
    user = db.get(User, int(user_id))
    if user is None:
        raise HTTPException(status_code=401, detail="Unknown user")
    return issue_tokens(user)


@router.get("/me")
def me(user: CurrentUser) -> dict:
    return {"id": user.id, "email": user.email, "verified": user.is_verified}
