# policylint test configuration: a key, a role and a bucket policy.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  admins = ["arn:aws:iam::111122223333:role/KeyAdmin"]
}

resource "aws_kms_key" "app" {
  description                        = "app data"
  enable_key_rotation                = true
  bypass_policy_lockout_safety_check = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Admins"
        Effect    = "Allow"
        Principal = { AWS = local.admins }
        Action    = ["kms:Describe*", "kms:Put*"]
        Resource  = "*"
        Resource  = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  dynamic "statement" {
    for_each = var.extra_statements
    content {
      sid     = statement.value.sid
      actions = statement.value.actions
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.trust.json

  inline_policy {
    name   = "reports"
    policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "ReadReports",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/*"]
          }
        ]
      }
    EOT
  }
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = var.bucket
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ${jsonencode(["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])},
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "TLSOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
  ]
}
EOF
}

data "aws_iam_policy_document" "unused" {
  statement {
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:GetObject"]
    resources = ["arn:aws:s3:::uploads/&{aws:username}/*"]
  }
}
