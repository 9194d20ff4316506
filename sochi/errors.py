"""СОЧИ's domain errors: a user-facing, translatable message and a stable code. Commands turn them into a clear
message and a non-zero exit, pages into a form error."""


class SochiError(Exception):
    code = "sochi_error"

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(str(message) % params if params else str(message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class InvalidInput(SochiError):
    code = "invalid_input"


class CompanyNotFound(SochiError):
    code = "company_not_found"
